package survey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// TokenBytes is the number of random bytes in a respondent token (256 bits).
const TokenBytes = 32

// NewToken returns a fresh respondent token: TokenBytes random bytes,
// base64url without padding.
func NewToken() string {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is what the database keeps to find a token: its SHA-256.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// validTokenShape rejects anything that cannot be one of our tokens before
// touching the database.
func validTokenShape(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(TokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

// sealer keeps tokens recoverable for reminders without storing them in
// clear: each is sealed with AES-256-GCM under a key kept in a file in the
// data dir (not in the database).
type sealer struct{ aead cipher.AEAD }

// loadKey reads the survey key from path, creating it (0600) when missing.
func loadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, 32)
		rand.Read(b)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return loadKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("survey key %s: %w", path, err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return nil, fmt.Errorf("survey key %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("survey key %s: %w", path, err)
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("survey key %s: want 32 bytes, found %d", path, len(b))
	}
	return b, nil
}

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(token string, aad []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(token), aad)
}

func (s *sealer) open(sealed, aad []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("sealed token too short")
	}
	b, err := s.aead.Open(nil, sealed[:n], sealed[n:], aad)
	return string(b), err
}
