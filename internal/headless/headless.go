// Package headless holds the options Kubedeck starts Chromium with, for the
// browser tests and the benchmark alike: headless, without the sandbox
// (containers run as root), and without the background traffic (updates,
// sync, first-run pages) that would disturb a test or a measurement.
package headless

import "github.com/chromedp/chromedp"

// Options are the allocator options that start the Chromium at execPath
// with its profile in userDataDir.
func Options(execPath, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(userDataDir),
	}
}
