#!/usr/bin/env bash
# The container's entrypoint: read secrets from files, refuse to start a service without the
# secrets it needs (one line naming them, never their values), migrate when asked, then exec
# `stravasync <command>`, which so becomes PID 1 and receives the container's stop signal.
#
#   STRAVASYNC_MIGRATE=true|false   run `stravasync db upgrade` first (default false; the
#                                   compose files run a one-shot `migrate` service instead
#                                   when several processes share one PostgreSQL)
#   STRAVASYNC_<NAME>_FILE=path     for each secret below: read its value from a file
#                                   (Docker/compose secrets) unless STRAVASYNC_<NAME> is set
set -euo pipefail

prog="stravasync-entrypoint"
secrets=(CLIENT_ID CLIENT_SECRET SECRET_KEY ADMIN_TOKEN API_KEY CRON_SECRET
    WEBHOOK_VERIFY_TOKEN NOTIFY_SECRET DATABASE_URL)

fail() {
    echo "$prog: $*" >&2
    exit 64
}

for name in "${secrets[@]}"; do
    var="STRAVASYNC_${name}"
    file_var="${var}_FILE"
    path="${!file_var:-}"
    if [[ -n "$path" && -z "${!var:-}" ]]; then
        [[ -r "$path" ]] || fail "$file_var names $path, which cannot be read"
        value="$(<"$path")"
        export "$var=${value%$'\n'}"
    fi
    unset "$file_var"
done

# No arguments or only options: the default command is `serve`.
if [[ $# -eq 0 || "$1" == -* ]]; then
    set -- serve "$@"
fi
# `docker run IMAGE stravasync status` works as well as `docker run IMAGE status`.
if [[ "$1" == "stravasync" ]]; then
    shift
    [[ $# -gt 0 ]] || set -- serve
fi

required=()
case "$1" in
    serve | web | worker)
        required=(CLIENT_ID CLIENT_SECRET)
        # Several processes on one database must share the token key: a key file generated
        # in each container would make the others' tokens unreadable.
        if [[ "${STRAVASYNC_DATABASE_URL:-}" == postgresql* ]]; then
            required+=(SECRET_KEY)
        fi
        ;;
esac
if [[ "$1" == "web" || "$1" == "serve" ]]; then
    required+=(ADMIN_TOKEN)
fi

missing=()
for name in "${required[@]}"; do
    var="STRAVASYNC_${name}"
    [[ -n "${!var:-}" ]] || missing+=("$var")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    fail "\`$1\` needs ${missing[*]} (set them, or ..._FILE pointing at a file holding them)"
fi

case "${STRAVASYNC_MIGRATE:-false}" in
    true | 1 | yes) stravasync db upgrade ;;
    false | 0 | no | "") ;;
    *) fail "STRAVASYNC_MIGRATE must be true or false, not '${STRAVASYNC_MIGRATE}'" ;;
esac

exec stravasync "$@"
