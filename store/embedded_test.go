package store_test

import (
	"context"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ansinh/store"
	"ansinh/store/storetest"
)

// TestEmbeddedIsPrivate: by default the embedded store listens on a Unix socket in the
// data directory, not on TCP; the directory is 0700 and every file in it 0600, also
// those SQLite creates after the start (the WAL) and those an older version left open.
func TestEmbeddedIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022) // as a shell would start the service
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.key"), []byte("an older version wrote me 0644"), 0o644); err != nil {
		t.Fatal(err)
	}
	emb, err := store.StartEmbedded(dir, "", storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Stop()
	if !strings.HasPrefix(emb.URI(), "mongodb://%2F") || !strings.Contains(emb.URI(), store.SocketName) {
		t.Fatalf("URI %q is not the socket", emb.URI())
	}
	client, err := store.Connect(context.Background(), emb.URI())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	if _, err := client.Database("ansinh").Collection("x").InsertOne(context.Background(), bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("data directory mode %v, %v", info.Mode().Perm(), err)
	}
	n := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n++
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", filepath.Base(path), info.Mode().Perm())
		}
		return nil
	})
	if err != nil || n < 3 { // the socket, secret.key, ansinh.sqlite (and its WAL)
		t.Fatalf("%d files, %v", n, err)
	}
	// A second server on the same files is refused.
	if _, err := store.StartEmbedded(dir, "", storetest.Logger()); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("a second server on the same directory: %v", err)
	}
}

// TestEmbeddedOnTCPWhenAsked: ANSINH_EMBEDDED_ADDR gives a TCP listener (a second
// instance's way in), and a stale socket of a crashed run is no obstacle.
func TestEmbeddedOnTCPWhenAsked(t *testing.T) {
	dir := t.TempDir()
	emb, err := store.StartEmbedded(dir, "127.0.0.1:0", storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(emb.URI())
	emb.Stop()
	if !strings.HasPrefix(u.Host, "127.0.0.1:") {
		t.Fatalf("URI %q", emb.URI())
	}
	// A socket file with nobody behind it, as a crash leaves it.
	sock := filepath.Join(dir, store.SocketName)
	l, err := netListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	emb, err = store.StartEmbedded(dir, "", storetest.Logger())
	if err != nil {
		t.Fatalf("after a stale socket: %v", err)
	}
	emb.Stop()
}

func netListenUnix(path string) (*net.UnixListener, error) {
	return net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
}
