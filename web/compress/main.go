// Command compress writes precompressed forms of a file: NAME.br (brotli,
// best quality) and NAME.gz (gzip, best compression), beside it or into DIR,
// so the server sends them without compressing at request time. `make wasm`
// runs it on bin/app.wasm, into web/.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
)

func main() {
	if len(os.Args) != 2 && len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: compress FILE [DIR]")
		os.Exit(2)
	}
	out := os.Args[1]
	if len(os.Args) == 3 {
		out = filepath.Join(os.Args[2], filepath.Base(out))
	}
	if err := run(os.Args[1], out); err != nil {
		fmt.Fprintln(os.Stderr, "compress:", err)
		os.Exit(1)
	}
}

// run compresses the file name into out.br and out.gz.
func run(name, out string) error {
	raw, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	if _, err := bw.Write(raw); err != nil {
		return err
	}
	if err := bw.Close(); err != nil {
		return err
	}
	var gz bytes.Buffer
	gw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := gw.Write(raw); err != nil {
		return err
	}
	if err := gw.Close(); err != nil {
		return err
	}
	for ext, b := range map[string][]byte{".br": br.Bytes(), ".gz": gz.Bytes()} {
		if err := os.WriteFile(out+ext, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%s: %d bytes, brotli %d, gzip %d\n", name, len(raw), br.Len(), gz.Len())
	return nil
}
