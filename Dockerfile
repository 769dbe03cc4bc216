# Production-like image: a static pilotpulse binary (pure Go SQLite, no cgo).
FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/pilotpulse ./cmd/pilotpulse

FROM alpine:3.20
RUN adduser -D -u 10001 pilotpulse && mkdir -p /data && chown pilotpulse /data
COPY --from=build /out/pilotpulse /usr/local/bin/pilotpulse
USER pilotpulse
ENV PILOTPULSE_ADDR=0.0.0.0:8080 \
    PILOTPULSE_DATA_DIR=/data \
    PILOTPULSE_LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["pilotpulse"]
CMD ["serve"]
