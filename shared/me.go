package shared

// Me is who the signed-in user is and what they may do in one namespace:
// the reply of GET /api/v1/me. The UI shows the user in its header and uses
// Can and Reasons to disable the controls the user may not use, with the
// reason as a tooltip.
type Me struct {
	// User is the name Kubernetes knows the user by.
	User string `json:"user"`
	// Email and Username come from the identity provider when it sends them.
	Email    string `json:"email,omitempty"`
	Username string `json:"username,omitempty"`
	// Groups are the user's groups as the identity provider sent them.
	Groups []string `json:"groups"`
	// DevMode is true when the server runs with a fixed development identity;
	// the UI then shows a banner.
	DevMode bool `json:"devMode,omitempty"`
	// SignOutURL is where the logout link goes.
	SignOutURL string `json:"signOutURL"`
	// Namespace is the namespace Can and Reasons are about ("" when none was
	// asked for; then Can is empty).
	Namespace string `json:"namespace,omitempty"`
	// Can says, for each action (for example "create deployments" or
	// "install charts"), whether the user may take it in Namespace.
	Can map[string]bool `json:"can,omitempty"`
	// Reasons says, for each action the user may not take, why, in a sentence
	// for a tooltip.
	Reasons map[string]string `json:"reasons,omitempty"`
}

// The actions Me.Can names besides "list <kind>" and "get <kind>" for every
// kind of the object viewer.
const (
	ActionCreateDeployments = "create deployments"
	ActionDeleteDeployments = "delete deployments"
	ActionCreateServices    = "create services"
	ActionDeleteServices    = "delete services"
	ActionCreateIngresses   = "create ingresses"
	ActionDeleteIngresses   = "delete ingresses"
	ActionInstallCharts     = "install charts"
	ActionUninstallCharts   = "uninstall charts"
	// Day two on a workload: a scale needs patch on its scale subresource,
	// a restart patch on the workload, an app's update or rollback update
	// on its Deployment.
	ActionScaleDeployments    = "scale deployments"
	ActionScaleStatefulSets   = "scale statefulsets"
	ActionRestartDeployments  = "restart deployments"
	ActionRestartStatefulSets = "restart statefulsets"
	ActionUpdateDeployments   = "update deployments"
)

// Action is the key Me.Can uses for a verb on a kind of the object viewer
// ("list pods", "delete configmaps"): the server builds its answers and the
// UI reads them with it.
func Action(verb, kind string) string { return verb + " " + kind }
