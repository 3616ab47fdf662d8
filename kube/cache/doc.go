// Package cache keeps small values that are expensive to compute and worth
// sharing (access decisions, later Helm data): a Cache with an in-process
// implementation (NewMemory) and a Redis one replicas share (NewRedis), a
// Named view per user of a shared Cache that counts its hits and misses, and
// a signed view (NewSigned) whose values nobody else who can write to the backend can
// forge. A Cache is never the source of truth: a failure is a miss.
package cache
