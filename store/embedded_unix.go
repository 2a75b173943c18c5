//go:build unix

package store

import "syscall"

// ownerOnly makes every file this process creates from now on readable by its owner
// alone (umask 077). SQLite creates the -wal and -shm files, and a new database's
// file, whenever it needs them, with the process umask: an umask is the one way to
// give all of them mode 0600. The store holds personal data; nothing this process
// writes is for other users of the machine.
func ownerOnly() { syscall.Umask(0o077) }
