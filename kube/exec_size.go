package kube

import (
	"sync"

	"k8s.io/client-go/tools/remotecommand"
)

// SizeQueue hands a terminal's latest size to an exec stream; a size not
// yet taken is replaced by the next. Safe for concurrent use.
type SizeQueue struct {
	ch   chan remotecommand.TerminalSize
	done chan struct{}
	once sync.Once
}

var _ remotecommand.TerminalSizeQueue = (*SizeQueue)(nil)

// NewSizeQueue makes an empty SizeQueue.
func NewSizeQueue() *SizeQueue {
	return &SizeQueue{ch: make(chan remotecommand.TerminalSize, 1), done: make(chan struct{})}
}

// Push sets the terminal's size, in columns and rows.
func (q *SizeQueue) Push(cols, rows uint16) {
	sz := remotecommand.TerminalSize{Width: cols, Height: rows}
	for {
		select {
		case q.ch <- sz:
			return
		default:
		}
		select {
		case <-q.ch:
		default:
		}
	}
}

// Next implements remotecommand.TerminalSizeQueue: it waits for a size,
// and returns nil once the queue is closed.
func (q *SizeQueue) Next() *remotecommand.TerminalSize {
	select {
	case sz := <-q.ch:
		return &sz
	case <-q.done:
		return nil
	}
}

// Close ends Next's wait for good.
func (q *SizeQueue) Close() { q.once.Do(func() { close(q.done) }) }
