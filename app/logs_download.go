//go:build !wasm

package main

import "errors"

// saveText is the browser's download; natively there is nowhere to save.
func saveText(name, text string) error {
	return errors.New("downloads work only in the browser")
}
