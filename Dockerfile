# Kubedeck: the WASM UI and the server in one static binary.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN GOOS=js GOARCH=wasm go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o web/app.wasm ./app \
 && go run ./web/compress web/app.wasm \
 && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kubedeck ./app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kubedeck /kubedeck
USER 65532:65532
EXPOSE 8080
ENV KUBEDECK_LISTEN=:8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 CMD ["/kubedeck", "healthcheck"]
ENTRYPOINT ["/kubedeck"]
