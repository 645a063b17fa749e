#!/bin/bash
# A throwaway RabbitMQ and PostgreSQL on loopback for the tests, started without systemd and stopped by PID.
# Run as root (PostgreSQL runs as the postgres user). Two ways to use it:
#   source scripts/ci-services.sh; services_start; …tests…; services_stop    (exports IMG_TEST_AMQP_URL, IMG_TEST_PG_URL)
#   eval "$(bash scripts/ci-services.sh start)"; …; bash scripts/ci-services.sh stop "$IMG_CI_SERVICES_DIR"
# Every port is picked free at start, and the RabbitMQ node gets its own name and epmd, so several runs (two
# helpers testing at once) never meet.

RMQ_BIN=/usr/lib/rabbitmq/bin
PG_BIN=/usr/lib/postgresql/15/bin

# A daemon must not keep its launcher's pipes open: a CI runner (or `$(…)`) waiting for EOF would hang until the
# services stop. Called in the subshell that then execs the daemon.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] && eval "exec $fd>&-"
  done
  return 0
}

free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

# The RabbitMQ CLI finds its node through these; HOME (the Erlang cookie) is set only here, because exporting it
# would hide root's ~/.npmrc from the rest of the run.
rmq_env() {
  local dir=$IMG_CI_SERVICES_DIR/rmq
  local ports
  read -r -a ports < "$dir/ports"
  env HOME="$dir" \
    RABBITMQ_NODENAME="$(cat "$dir/nodename")" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="${ports[0]}" RABBITMQ_DIST_PORT="${ports[1]}" \
    ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="${ports[2]}" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_PID_FILE="$dir/rabbit.pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    "$@"
}

rmq_start() {
  local dir=$IMG_CI_SERVICES_DIR/rmq amqp_port dist_port epmd_port
  amqp_port=$(free_port) dist_port=$(free_port) epmd_port=$(free_port)
  mkdir -p "$dir/mnesia" "$dir/log"
  echo "$amqp_port $dist_port $epmd_port" > "$dir/ports"
  echo "imgci$$@localhost" > "$dir/nodename"
  echo "listeners.tcp.default = 127.0.0.1:$amqp_port" > "$dir/rabbitmq.conf"
  echo '[].' > "$dir/enabled_plugins"
  rmq_boot || return 1
  rmq_env "$RMQ_BIN/rabbitmqctl" add_vhost ci > /dev/null
  rmq_env "$RMQ_BIN/rabbitmqctl" add_user ciuser cipass > /dev/null
  rmq_env "$RMQ_BIN/rabbitmqctl" set_permissions -p ci ciuser '.*' '.*' '.*' > /dev/null
  export IMG_TEST_AMQP_URL="amqp://ciuser:cipass@127.0.0.1:$amqp_port/ci"
}

# Starts the node on the ports and data of an earlier start: what a broker restart test needs.
rmq_boot() {
  local dir=$IMG_CI_SERVICES_DIR/rmq epmd_port
  epmd_port=$(cut -d' ' -f3 "$dir/ports")
  # epmd started by us, in the foreground, so that its PID is ours to stop (never by name).
  (close_inherited_fds; exec /usr/bin/epmd -address 127.0.0.1 -port "$epmd_port") < /dev/null > "$dir/log/epmd.out" 2>&1 &
  echo $! > "$dir/epmd.pid"
  (close_inherited_fds; rmq_env "$RMQ_BIN/rabbitmq-server") < /dev/null > "$dir/log/console.out" 2>&1 &
  # `wait <pidfile>` first: await_startup fails at once while the node is not yet registered with epmd.
  if ! rmq_env "$RMQ_BIN/rabbitmqctl" wait "$dir/rabbit.pid" --timeout 120 > /dev/null; then
    tail -50 "$dir/log/console.out" >&2
    return 1
  fi
  rmq_env "$RMQ_BIN/rabbitmqctl" await_startup --timeout 60 > /dev/null
}

rmq_stop() {
  local dir=$IMG_CI_SERVICES_DIR/rmq pid
  if [ -f "$dir/rabbit.pid" ]; then
    pid=$(cat "$dir/rabbit.pid")
    # rabbitmqctl stop waits for the node to exit, but hangs for minutes when it cannot reach the node (epmd
    # gone): bounded, then the node's PID is killed, which does nothing to a node that stopped cleanly.
    rmq_env timeout 20 "$RMQ_BIN/rabbitmqctl" stop "$dir/rabbit.pid" > /dev/null 2>&1 || true
    kill -9 "$pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    rm -f "$dir/rabbit.pid"
  fi
  if [ -f "$dir/epmd.pid" ]; then
    kill "$(cat "$dir/epmd.pid")" 2> /dev/null || true
    rm -f "$dir/epmd.pid"
  fi
}

pg_start() {
  local dir=$IMG_CI_SERVICES_DIR/pg
  install -d -o postgres -g postgres "$dir"
  free_port > "$dir/port"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync > "$dir/initdb.log"
  pg_boot || return 1
  export IMG_TEST_PG_URL="postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

# Starts the server on the data and port of an earlier start: what a database outage test needs.
pg_boot() {
  local dir=$IMG_CI_SERVICES_DIR/pg port
  port=$(cat "$dir/port")
  # Durability settings off: the cluster lives for one test run.
  (
    close_inherited_fds
    exec runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start
  ) < /dev/null > /dev/null || { tail -30 "$dir/server.log" >&2; return 1; }
}

# Fast shutdown, as an admin's restart does: open connections are told 57P01 and cut. The postmaster's PID (from
# its pid file) is killed if pg_ctl cannot stop it.
pg_stop() {
  local dir=$IMG_CI_SERVICES_DIR/pg
  [ -f "$dir/data/postmaster.pid" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null 2>&1 ||
    kill -9 "$(head -1 "$dir/data/postmaster.pid")" 2> /dev/null || true
}

services_start() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "ci-services: must run as root (PostgreSQL runs as the postgres user)" >&2
    return 1
  fi
  IMG_CI_SERVICES_DIR=$(mktemp -d /tmp/imger-ci-services.XXXXXX)
  chmod 755 "$IMG_CI_SERVICES_DIR"
  export IMG_CI_SERVICES_DIR
  pg_start && rmq_start
}

# Also the EXIT trap of a `set -e` script: every step tolerates what is already gone, so PostgreSQL is stopped
# even when RabbitMQ was not running.
services_stop() {
  [ -n "${IMG_CI_SERVICES_DIR:-}" ] && [ -d "$IMG_CI_SERVICES_DIR" ] || return 0
  rmq_stop
  pg_stop
  rm -rf "$IMG_CI_SERVICES_DIR"
  unset IMG_CI_SERVICES_DIR IMG_TEST_AMQP_URL IMG_TEST_PG_URL
}

# Executed rather than sourced: `start` prints the exports to eval, `stop DIR` stops what that start began.
# A test that restarts its broker gets one of its own, so that other tests sharing IMG_TEST_AMQP_URL go on:
# `rabbitmq-start DIR` prints its URL, `rabbitmq-stop DIR` stops it, `rabbitmq-boot DIR` boots it again on the same
# data (its queues and messages), and `rabbitmqctl DIR ARGS…` runs rabbitmqctl on it (for a test that
# sets its broker up as an operator would: vhosts, users). The same for a test that stops its database:
# `postgres-start DIR` prints its URL, `postgres-stop DIR` stops it (its data stays), `postgres-boot DIR` starts it
# again.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      services_start > /dev/null
      printf 'export IMG_CI_SERVICES_DIR=%q IMG_TEST_AMQP_URL=%q IMG_TEST_PG_URL=%q\n' \
        "$IMG_CI_SERVICES_DIR" "$IMG_TEST_AMQP_URL" "$IMG_TEST_PG_URL"
      ;;
    stop)
      IMG_CI_SERVICES_DIR=${2:-${IMG_CI_SERVICES_DIR:-}}
      services_stop
      ;;
    rabbitmq-start)
      IMG_CI_SERVICES_DIR=$2
      rmq_start > /dev/null
      echo "$IMG_TEST_AMQP_URL"
      ;;
    rabbitmq-boot)
      IMG_CI_SERVICES_DIR=$2
      rmq_boot > /dev/null
      ;;
    rabbitmq-stop)
      IMG_CI_SERVICES_DIR=$2
      rmq_stop
      ;;
    postgres-start)
      IMG_CI_SERVICES_DIR=$2
      # The server runs as postgres, which must reach its folder inside the caller's.
      chmod 755 "$IMG_CI_SERVICES_DIR"
      pg_start
      echo "$IMG_TEST_PG_URL"
      ;;
    postgres-boot)
      IMG_CI_SERVICES_DIR=$2
      pg_boot
      ;;
    postgres-stop)
      IMG_CI_SERVICES_DIR=$2
      pg_stop
      ;;
    rabbitmqctl)
      IMG_CI_SERVICES_DIR=$2
      shift 2
      rmq_env "$RMQ_BIN/rabbitmqctl" "$@"
      ;;
    *)
      echo "usage: $0 start | stop [DIR] | rabbitmq-start DIR | rabbitmq-stop DIR | rabbitmq-boot DIR |" \
        "rabbitmqctl DIR ARGS… | postgres-start DIR | postgres-boot DIR | postgres-stop DIR" >&2
      exit 2
      ;;
  esac
fi
