package cache

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// MinKeyLength is the shortest key that may sign values others can read
// back (Kubedeck's access key); a random key is this long.
const MinKeyLength = 32

// signed keeps values in another Cache (Redis, which others may write
// to) signed with a key that never leaves Kubedeck: each stored value
// carries its expiry and an HMAC-SHA256 over its key, expiry and value. A
// value that does not verify under this key, was stored under another key
// or has expired is a miss, so nobody who can write to the backend can
// forge, move or prolong a value.
type signed struct {
	c   Cache
	key []byte
	now func() time.Time
}

var _ Cache = (*signed)(nil)

// signatureLength and expiryLength frame a stored value: expiry, value,
// signature.
const (
	expiryLength    = 8
	signatureLength = sha256.Size
)

// NewSigned is a Cache that keeps its values in c signed with key (nil: a
// random key, so that only this process can read back what it stored).
func NewSigned(c Cache, key []byte) Cache {
	if len(key) == 0 {
		key = make([]byte, MinKeyLength)
		_, _ = rand.Read(key) // never fails (crypto/rand panics instead)
	}
	return &signed{c: c, key: key, now: time.Now}
}

// sign is the signature of val stored under key until expires (Unix
// nanoseconds).
func (s *signed) sign(key string, expires []byte, val []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(key)))
	m.Write(n[:])
	m.Write([]byte(key))
	m.Write(expires)
	m.Write(val)
	return m.Sum(nil)
}

func (s *signed) Get(ctx context.Context, key string) ([]byte, bool, error) {
	raw, ok, err := s.c.Get(ctx, key)
	if err != nil || !ok {
		return nil, false, err
	}
	if len(raw) < expiryLength+signatureLength {
		return nil, false, nil
	}
	expires := raw[:expiryLength]
	val := raw[expiryLength : len(raw)-signatureLength]
	if !hmac.Equal(raw[len(raw)-signatureLength:], s.sign(key, expires, val)) {
		return nil, false, nil
	}
	if s.now().UnixNano() >= int64(binary.BigEndian.Uint64(expires)) {
		return nil, false, nil
	}
	return val, true, nil
}

func (s *signed) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	expires := binary.BigEndian.AppendUint64(nil, uint64(s.now().Add(ttl).UnixNano()))
	raw := make([]byte, 0, expiryLength+len(val)+signatureLength)
	raw = append(raw, expires...)
	raw = append(raw, val...)
	raw = append(raw, s.sign(key, expires, val)...)
	return s.c.Set(ctx, key, raw, ttl)
}

func (s *signed) Delete(ctx context.Context, keys ...string) error {
	return s.c.Delete(ctx, keys...)
}
