package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// backup runs `ansinh backup FILE`: the whole store into one archive, written to a
// temporary file and renamed, so a crash never leaves a half archive under FILE.
func (a *app) backup(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return usageError{fmt.Errorf("usage: ansinh backup FILE")}
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	tmp, err := os.CreateTemp(filepath.Dir(args[0]), ".ansinh-backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := st.Backup(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), args[0]); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "backed up %d documents to %s\n", n, args[0])
	return nil
}

// restore runs `ansinh restore FILE` into an empty store.
func (a *app) restore(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return usageError{fmt.Errorf("usage: ansinh restore FILE")}
	}
	f, err := os.Open(args[0])
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	n, err := st.Restore(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "restored %d documents from %s\n", n, args[0])
	return nil
}
