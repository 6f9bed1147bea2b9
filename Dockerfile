# syntax=docker/dockerfile:1
# A container image of casebook, for CI systems that prefer one to downloading the binary:
#
#   docker build -t casebook --build-arg CASEBOOK_BUILD_COMMIT="$(git rev-parse --short HEAD)" .
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/site" casebook build --base-url https://incidents.example.org/
#
# The site is mounted at /site, the working folder. The image holds the static binary and CA
# certificates (for `casebook check --external`), nothing else: no shell. A CI system that runs
# scripts inside the job's image needs an image of its own with the binary copied in:
#   COPY --from=casebook /usr/local/bin/casebook /usr/local/bin/casebook

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-alpine AS build
# Alpine's C library is musl: Rust's binaries are static there by default, and musl-dev lets the
# C part of the allocator (mimalloc) build against it.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
# .dockerignore lets in only the files of the published crate (Cargo.toml, `include`).
COPY . .
# The commit `casebook --version` names (there is no .git here); build.rs reads it.
ARG CASEBOOK_BUILD_COMMIT=unknown
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && install -m 755 target/release/casebook /usr/local/bin/casebook \
    && /usr/local/bin/casebook --version

# It runs as an unprivileged user (65532); with `-u "$(id -u):$(id -g)"`, as above, the files it
# writes in the mounted site belong to you.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /usr/local/bin/casebook /usr/local/bin/casebook
WORKDIR /site
ENTRYPOINT ["casebook"]
CMD ["build"]
