package main

// theme is the colour scheme the user chose.
type theme string

// The themes: the system's preference, or one fixed.
const (
	themeSystem theme = ""
	themeLight  theme = "light"
	themeDark   theme = "dark"
)

// themeStorageKey is where the choice is remembered (localStorage).
const themeStorageKey = "kubedeck.theme"

// parseTheme reads a stored choice; anything unknown means the system's.
func parseTheme(s string) theme {
	switch theme(s) {
	case themeLight, themeDark:
		return theme(s)
	}
	return themeSystem
}

// next is the theme the toggle switches to: system, light, dark, system…
func (t theme) next() theme {
	switch t {
	case themeSystem:
		return themeLight
	case themeLight:
		return themeDark
	default:
		return themeSystem
	}
}

// label names the theme for the toggle.
func (t theme) label() string {
	switch t {
	case themeLight:
		return "Light"
	case themeDark:
		return "Dark"
	default:
		return "System"
	}
}
