package kube

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryLockIsReleasedByDefer reads every Go file of the module and
// fails on a Lock or RLock call that the next statement does not pair with
// a deferred Unlock or RUnlock of the same mutex. A lock released by a
// plain call stays held when the code between panics, and a recovered
// panic then wedges everyone who waits for that lock.
func TestEveryLockIsReleasedByDefer(t *testing.T) {
	root := filepath.Join("..")
	fset := token.NewFileSet()
	var files int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			var list []ast.Stmt
			switch b := n.(type) {
			case *ast.BlockStmt:
				list = b.List
			case *ast.CaseClause:
				list = b.Body
			case *ast.CommClause:
				list = b.Body
			default:
				return true
			}
			for i, s := range list {
				mu, unlock, ok := lockCall(s)
				if !ok {
					continue
				}
				if i+1 < len(list) && deferredUnlock(list[i+1], mu, unlock) {
					continue
				}
				t.Errorf("%s: %s is locked without a defer %s.%s() right after", fset.Position(s.Pos()), mu, mu, unlock)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read only %d Go files under %s; is the module root right?", files, root)
	}
}

// lockCall recognizes a statement mu.Lock() or mu.RLock() and returns mu
// and the name of the call that releases it.
func lockCall(s ast.Stmt) (mu, unlock string, ok bool) {
	es, ok := s.(*ast.ExprStmt)
	if !ok {
		return "", "", false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return "", "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", "", false
	}
	switch sel.Sel.Name {
	case "Lock":
		return types.ExprString(sel.X), "Unlock", true
	case "RLock":
		return types.ExprString(sel.X), "RUnlock", true
	}
	return "", "", false
}

// deferredUnlock says whether s is defer mu.unlock().
func deferredUnlock(s ast.Stmt, mu, unlock string) bool {
	d, ok := s.(*ast.DeferStmt)
	if !ok || len(d.Call.Args) != 0 {
		return false
	}
	sel, ok := d.Call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == unlock && types.ExprString(sel.X) == mu
}
