#!/usr/bin/env bash
# tests/slurm/cluster.sh start DIR | stop DIR
# A real single-node Slurm cluster on this machine, for the tests: Debian's
# munge and slurm-wlm (slurmctld + slurmd), everything (key, config, state,
# spool, logs, pid files, munge socket) under DIR, on free ports, so it
# collides with nothing else (not even another copy of itself).
#   start: writes DIR/env (source it: SLURM_CONF=DIR/slurm.conf) and waits
#          until the node is idle; exit 1 with the daemons' logs on failure
#          (what it started is stopped again)
#   stop:  stops the daemons started for DIR (by their pid files), waits for
#          them to exit, then SIGKILLs what is left. Idempotent.
# Needs root (slurmd runs jobs as their user).
set -u
cmd=${1:-}; D=${2:-}
[ -n "$cmd" ] && [ -n "$D" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$D"
D=$(cd "$D" && pwd)

# pid files; slurmd and slurmctld also find their own from slurm.conf
stop() {
  local f pid
  for f in slurmd slurmctld munged; do
    [ -s "$D/$f.pid" ] || continue
    pid=$(cat "$D/$f.pid")
    # only a process that is this daemon, started for this DIR
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$D"; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.05; done
      [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$D/$f.pid"
  done
  # job steps slurmd left (slurmstepd for this cluster)
  pgrep -f "slurmstepd.*$D" >/dev/null 2>&1 && pkill -KILL -f "slurmstepd.*$D"
  return 0
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  for b in munged slurmctld slurmd sbatch squeue scontrol; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || { echo "cluster.sh: $b not installed (apt-get install slurm-wlm munge)" >&2; return 1; }
  done
  export PATH="$PATH:/usr/sbin"
  mkdir -p "$D/state" "$D/spool" "$D/munge"
  chmod 700 "$D/munge"
  dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$D/munge/munge.key"
  munged --force --key-file="$D/munge/munge.key" --socket="$D/munge/munge.sock" \
    --pid-file="$D/munged.pid" --log-file="$D/munged.log" --seed-file="$D/munge/seed" || return 1
  for _ in $(seq 100); do [ -S "$D/munge/munge.sock" ] && break; sleep 0.05; done

  local node cpus mem ctl_port d_port
  node=$(hostname -s)
  # the machine's real CPUs and memory, as slurmd sees them
  read -r cpus mem < <(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*RealMemory=\([0-9]*\).*/\1 \2/p')
  ctl_port=$(free_port); d_port=$(free_port)
  while [ "$d_port" = "$ctl_port" ]; do d_port=$(free_port); done
  : > "$D/plugstack.conf"
  cat > "$D/slurm.conf" <<EOF
ClusterName=benchlua
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
PlugStackConfig=$D/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$D/slurm.conf"
  echo "export SLURM_CONF='$D/slurm.conf'" > "$D/env"
  slurmctld -f "$D/slurm.conf" || return 1
  slurmd -f "$D/slurm.conf" -N "$node" || return 1
  # ready when the node is idle
  local state=""
  for _ in $(seq 300); do
    state=$(sinfo -h -N -n "$node" -o %t 2>/dev/null | head -n1)
    [ "$state" = idle ] && return 0
    sleep 0.1
  done
  echo "cluster.sh: the node did not become idle (state '$state')" >&2
  return 1
}

case $cmd in
  start)
    if ! start; then
      for f in munged slurmctld slurmd; do
        [ -s "$D/$f.log" ] && { echo "--- $D/$f.log" >&2; tail -n 15 "$D/$f.log" >&2; }
      done
      stop
      exit 1
    fi ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
