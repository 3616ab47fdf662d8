package shared

import (
	"encoding/json"
	"fmt"
)

// The WebSocket protocol (/api/v1/ws): JSON text frames, one WSMessage each.
//
// Client to server:
//
//	{"type":"subscribe:resources","id":"s1","data":{"kind":"pods","namespace":"team-a"}}
//	{"type":"subscribe:operation","id":"<operation id>"}
//	{"type":"subscribe:logs","id":"l1","data":{"kind":"pods","namespace":"team-a","name":"web-0"}}
//	{"type":"unsubscribe:resources","id":"s1"}   (ends a subscription of any kind)
//	{"type":"ping"}
//
// Server to client:
//
//	{"type":"resource:created","sub":"s1","data":{"kind":"pods","row":{…}}}   (also :updated, :deleted)
//	{"type":"deployment:progress","sub":"s1","data":{…DeploymentProgress}}
//	{"type":"operation:progress","sub":"<operation id>","data":{…Operation}}
//	{"type":"logs:lines","sub":"l1","data":{…LogChunk}}
//	{"type":"logs:end","sub":"l1","data":{"reason":"done","message":"…"}}
//	{"type":"resync","sub":"s1"}
//	{"type":"error","sub":"s1","error":{"code":"FORBIDDEN","message":"…"}}
//	{"type":"pong"}
//	{"type":"reconnect"}
//
// A message has a type, the ids that route it (id, sub), an error for the
// type "error", and one payload, data, whose shape the type decides (see
// each type's constant): a new kind of message adds a type and a payload
// type, never a field to WSMessage. Decode reads the payload.
//
// A subscription names a kind (KindInfo.Name) and a namespace; an empty
// namespace means every namespace, which needs the right to list the kind
// across the cluster (a user with rights in some namespaces only subscribes
// to each of them). Clients apply resource events as upserts and deletes
// keyed by Row.UID: after a resync they re-list, and events that follow may
// repeat what the list already holds.
//
// deployment:progress rides on subscriptions to "deployments": a client
// subscribed to deployments in a namespace also gets the rollout progress
// of each Deployment there whenever it, its ReplicaSets or its Pods change.
// Its Message, drawn from the pods, goes only to users who may list pods
// there.
//
// Subscriptions are authorized again while they live: one whose right was
// taken away gets an error FORBIDDEN naming it, and nothing more. A
// connection lives a bounded time: the server then sends reconnect and
// closes with WSCloseReconnect, and the client reconnects at once and
// subscribes again. A connection made with an ID token ends when the token
// expires: an error UNAUTHORIZED without a sub, then WSCloseSignInExpired;
// the client reconnects, signing in again if that is refused.

// The messages of a follow of logs (see logs.go).
const (
	// WSSubscribeLogs follows logs (Data: LogQuery) under the client's id
	// (ID); WSUnsubscribe ends the follow.
	WSSubscribeLogs WSType = "subscribe:logs"
	// WSLogLines carries lines of a followed log (Data: LogChunk).
	WSLogLines WSType = "logs:lines"
	// WSLogEnd says why a follow ended (Data: LogEnd); nothing of the
	// subscription follows it.
	WSLogEnd WSType = "logs:end"
)

// MaxSubscriptions is how many subscriptions one connection may hold,
// resources and operations together; a client asking for more gets an
// error RATE_LIMITED.
const MaxSubscriptions = 20

// MaxResourceSubscriptions is how many of them a page gives to resources,
// keeping the rest for the operations it starts and follows.
const MaxResourceSubscriptions = MaxSubscriptions - 4

// WSType is the type of a WebSocket message.
type WSType string

// The message types of the WebSocket protocol.
const (
	// WSSubscribe asks for the events of a kind in a namespace (Data:
	// WSResources), under the client's id for the subscription (ID).
	WSSubscribe WSType = "subscribe:resources"
	// WSUnsubscribe ends the subscription ID, to resources or to an
	// operation.
	WSUnsubscribe WSType = "unsubscribe:resources"
	// WSPing asks the server for a WSPong.
	WSPing WSType = "ping"

	// WSCreated, WSUpdated and WSDeleted carry the row of an object of
	// subscription Sub that was created, changed or deleted (Data:
	// WSResourceEvent).
	WSCreated WSType = "resource:created"
	WSUpdated WSType = "resource:updated"
	WSDeleted WSType = "resource:deleted"
	// WSProgress carries the rollout progress of a Deployment (Data:
	// DeploymentProgress), on a subscription Sub to "deployments".
	WSProgress WSType = "deployment:progress"
	// WSResync tells the client it missed events of subscription Sub (it
	// read too slowly): it must list again.
	WSResync WSType = "resync"
	// WSError reports a refused or malformed message (Sub names the
	// subscription when there is one), or why the server closes the
	// connection.
	WSError WSType = "error"
	// WSPong answers a WSPing.
	WSPong WSType = "pong"
	// WSReconnect tells the client that the server closes the connection
	// on purpose, at the end of its lifetime: the client reconnects at
	// once, without backoff, and subscribes again.
	WSReconnect WSType = "reconnect"
)

// The close codes (of the range for applications) with which the server
// ends a connection on purpose. A browser does not show the client the
// code, so a message says the same first (see above).
const (
	// WSCloseReconnect ends a connection that reached its lifetime.
	WSCloseReconnect = 4000
	// WSCloseSignInExpired ends a connection whose ID token expired.
	WSCloseSignInExpired = 4001
)

// WSMessage is one message of the WebSocket protocol, in either direction.
// Which fields are set depends on Type (see the constants).
type WSMessage struct {
	Type WSType `json:"type"`
	// ID is the client's name for a subscription, in the messages it sends.
	ID string `json:"id,omitempty"`
	// Sub is the ID of the subscription a server message belongs to.
	Sub string `json:"sub,omitempty"`
	// Data is the payload, whose Go type Type decides: WSResources for
	// WSSubscribe, WSResourceEvent for WSCreated, WSUpdated and
	// WSDeleted, DeploymentProgress for WSProgress, Operation for
	// WSOperationProgress. The other types carry none.
	Data json.RawMessage `json:"data,omitempty"`
	// Error is set on WSError.
	Error *Error `json:"error,omitempty"`
}

// NewWSMessage is a message of type typ with data (nil for none) as its
// payload; it fails only for data that does not encode as JSON.
func NewWSMessage(typ WSType, data any) (WSMessage, error) {
	m := WSMessage{Type: typ}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			return m, fmt.Errorf("encode the data of a %s message: %w", typ, err)
		}
		m.Data = raw
	}
	return m, nil
}

// Decode reads the message's payload into v, which must be of the type the
// message's Type carries.
func (m WSMessage) Decode(v any) error {
	if len(m.Data) == 0 {
		return fmt.Errorf("a %s message without data", m.Type)
	}
	if err := json.Unmarshal(m.Data, v); err != nil {
		return fmt.Errorf("decode the data of a %s message: %w", m.Type, err)
	}
	return nil
}

// WSResources is the data of WSSubscribe: a kind (KindInfo.Name) and a
// namespace ("" for every namespace).
type WSResources struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
}

// WSResourceEvent is the data of WSCreated, WSUpdated and WSDeleted: the
// kind and row of the object.
type WSResourceEvent struct {
	Kind string `json:"kind"`
	Row  Row    `json:"row"`
}

// DeploymentPhase is where a Deployment's rollout stands.
type DeploymentPhase string

// The phases of a rollout.
const (
	// PhasePending: no pod of the current version is ready yet, or pods wait
	// for room in the cluster (Message says why).
	PhasePending DeploymentPhase = "Pending"
	// PhaseProgressing: pods of the current version are coming up or old
	// ones going away.
	PhaseProgressing DeploymentPhase = "Progressing"
	// PhaseAvailable: every desired replica runs the current version and is
	// available.
	PhaseAvailable DeploymentPhase = "Available"
	// PhaseFailed: the rollout is stuck on something a person must fix
	// (Message says what).
	PhaseFailed DeploymentPhase = "Failed"
)

// DeploymentProgress is the rollout state of one Deployment, derived from
// it, its ReplicaSets and their Pods.
type DeploymentProgress struct {
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Phase     DeploymentPhase `json:"phase"`
	// Desired is the replicas asked for; Updated run the current version;
	// Ready pass their readiness checks; Available have been ready long
	// enough (minReadySeconds).
	Desired   int `json:"desired"`
	Updated   int `json:"updated"`
	Ready     int `json:"ready"`
	Available int `json:"available"`
	// Message says, for people, why the rollout is stuck; empty when it is not.
	Message string `json:"message,omitempty"`
}
