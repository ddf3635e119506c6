package s3

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// newBodyFile creates an empty file for a body in the data directory. Each
// stored value gets its own file, so replacing an object never disturbs a
// reader still streaming the old value from its open file.
func (s *Service) newBodyFile(kind string) (*os.File, error) {
	dir, err := s.dataDir()
	if err != nil {
		return nil, err
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	f, err := os.OpenFile(filepath.Join(dir, kind+"-"+hex.EncodeToString(b[:])), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating body file: %w", err)
	}
	return f, nil
}

// writeBodyFile creates a body file (kind names it) and fills it with
// write, removing it unless write and closing it succeed. It returns what
// write received and the file's path.
func (s *Service) writeBodyFile(kind string, write func(w io.Writer) (received, error)) (received, string, error) {
	f, err := s.newBodyFile(kind)
	if err != nil {
		return received{}, "", err
	}
	rec, err := write(f)
	if err != nil {
		discard(f)
		return received{}, "", err
	}
	if err := finish(f); err != nil {
		return received{}, "", err
	}
	return rec, f.Name(), nil
}

// discard closes and removes a body file that will not be stored.
func discard(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// removeFiles deletes body files no longer referenced. A file already
// gone is not an error: Close may have removed the whole directory.
func (s *Service) removeFiles(paths ...string) {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("s3: removing body file", "path", p, "err", err)
		}
	}
}

// finish closes a fully written body file, reporting write errors.
func finish(f *os.File) error {
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("writing body file: %w", err)
	}
	return nil
}
