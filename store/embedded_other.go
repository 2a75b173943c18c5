//go:build !unix

package store

// ownerOnly has no umask to set outside Unix; the data directory's mode is all.
func ownerOnly() {}
