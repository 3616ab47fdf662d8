// Package rbac holds the RBAC objects Kubedeck's own identity needs, as the
// YAML an operator applies, so tests can grant exactly these rights to the
// server they run.
package rbac

import _ "embed"

// ClusterRole is clusterrole.yaml: the ClusterRole "kubedeck".
//
//go:embed clusterrole.yaml
var ClusterRole string

// ClusterRoleBinding is clusterrolebinding.yaml: it binds the role to the
// ServiceAccount "kubedeck" in the namespace written NAMESPACE.
//
//go:embed clusterrolebinding.yaml
var ClusterRoleBinding string
