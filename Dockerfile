# Kubedeck: the WASM UI and the server in one static binary.
# Build with `make image` (VERSION from git describe).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The UI first, compressed, so that the server embeds it (web/embed.go).
RUN GOOS=js GOARCH=wasm go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o bin/app.wasm ./app \
 && go run ./web/compress bin/app.wasm web \
 && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kubedeck ./app

# No shell, no package manager; the binary writes nothing, so the root
# filesystem may be read-only.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kubedeck /kubedeck
USER 65532:65532
# The app, and /metrics, /healthz and /readyz on a port of their own.
ENV KUBEDECK_LISTEN=:8080 KUBEDECK_OPS_LISTEN=:9090
EXPOSE 8080 9090
# `kubedeck healthcheck` asks the running server's /healthz (app/serve.go).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 CMD ["/kubedeck", "healthcheck"]
ENTRYPOINT ["/kubedeck"]
