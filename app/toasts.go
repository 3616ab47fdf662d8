package main

// toastLevel says how a toast looks and whether it goes away by itself.
type toastLevel string

// The toast levels.
const (
	toastInfo    toastLevel = "info"
	toastSuccess toastLevel = "success"
	toastError   toastLevel = "error"
)

// maxToasts bounds the toasts shown at once; the oldest goes first.
const maxToasts = 5

// toast is one message in the toast area.
type toast struct {
	ID    int
	Level toastLevel
	Text  string
}

// toastList is the layout's toasts, newest last.
type toastList struct {
	items []toast
	next  int
}

// add appends a toast and returns its id.
func (l *toastList) add(level toastLevel, text string) int {
	l.next++
	l.items = append(l.items, toast{ID: l.next, Level: level, Text: text})
	if len(l.items) > maxToasts {
		l.items = append([]toast(nil), l.items[len(l.items)-maxToasts:]...)
	}
	return l.next
}

// dismiss removes the toast with this id, if it is still there.
func (l *toastList) dismiss(id int) {
	for i, t := range l.items {
		if t.ID == id {
			l.items = append(l.items[:i:i], l.items[i+1:]...)
			return
		}
	}
}

// list returns a copy of the toasts, for rendering.
func (l *toastList) list() []toast {
	return append([]toast(nil), l.items...)
}
