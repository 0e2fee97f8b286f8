#!/usr/bin/env bash
# `make slurm-test`: a sweep through a real one-node Slurm cluster on this machine.
#  1. installs Debian's slurm-wlm and munge if missing (as root);
#  2. starts munged, slurmctld and slurmd with a slurm.conf generated in a scratch folder
#     (no systemd, no cgroups: see the configuration below);
#  3. plans a 2 × 2 grid × 2 seeds sweep, 1 epoch on 3,000 images (10 tasks), submits it
#     as an array job (scripts/slurm/sweep.sbatch, at most 2 at once), cancels one task
#     while it trains and one still pending, resubmits just the missing ones, merges;
#  4. checks the merged exports equal `ayla sweep run --local` of the same plan, bit for
#     bit (every metric; only the epochs' wall-clock seconds may differ).
# The cluster is shut down afterwards, also when a step fails.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"
export MNIST_DIR="${MNIST_DIR:-$ROOT/www/data}"

started=$SECONDS
work=$(mktemp -d /tmp/ayla-slurm.XXXXXX)
export SLURM_CONF=$work/slurm.conf
our_munged=""

install_slurm() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && return
  [ "$(id -u)" = 0 ] || die "Slurm is not installed: run 'sudo apt-get install -y slurm-wlm munge' \
and 'make slurm-test' again."
  say "installing slurm-wlm and munge with apt-get"
  # A fresh machine may have no or stale package lists. The packages try to start their
  # services through systemd, which is refused here harmlessly: we start them below.
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
}

start_munge() {
  if munge_works; then return; fi
  [ -f /etc/munge/munge.key ] || runuser -u munge -- mungekey --create
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  our_munged=/run/munge/munged.pid
  wait_for "munged" 10 munge_works
}

munge_works() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }

# wait_for WHAT SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
  local what=$1 limit=$2 deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what: not ready after ${limit} s"
    sleep 0.1
  done
}

write_conf() {
  local host node
  host=$(hostname -s)
  # The node's CPUs and memory as slurmd sees them ("NodeName=vm CPUs=2 … RealMemory=…").
  node=$(slurmd -C | head -n 1)
  mkdir -p "$work/state" "$work/spool" "$work/log"
  cat >"$SLURM_CONF" <<CONF
ClusterName=ayla-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=46817
SlurmdPort=46818
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
# No cgroups in these machines: the cgroup plugins fail and drain the node.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Each task's end state (COMPLETED, CANCELLED…) is written here.
JobCompType=jobcomp/filetxt
JobCompLoc=$work/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
# Start the next array tasks as soon as a task ends (the default batches them every ~3 s).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
$node NodeAddr=127.0.0.1
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start_slurm() {
  slurmctld -i -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  wait_for "the Slurm node" 30 node_idle
}

node_idle() { [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; }

stop_all() {
  local status=$?
  if [ -f "$work/slurmctld.pid" ] || [ -f "$work/slurmd.pid" ]; then
    scontrol shutdown >/dev/null 2>&1 || true
    local pid deadline=$((SECONDS + 15))
    while read -r pid; do
      while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
      kill "$pid" 2>/dev/null || true
    done < <(cat "$work/slurmctld.pid" "$work/slurmd.pid" 2>/dev/null)
  fi
  if [ -n "$our_munged" ] && [ -f "$our_munged" ]; then kill "$(cat "$our_munged")" 2>/dev/null || true; fi
  if [ "$status" != 0 ]; then
    say "slurm-test failed; the cluster's logs:"
    tail -n 20 "$work"/log/*.log "$work"/log/jobcomp.txt "$work"/log/slurm-*.out 2>/dev/null || true
  fi
  rm -rf "$work"
  say "cluster stopped after $((SECONDS - started)) s in all"
}
trap stop_all EXIT

# The tasks' end states, e.g. "0=COMPLETED … 9=CANCELLED", for array job $1 (Slurm keeps
# finished jobs for MinJobAge seconds).
end_states() {
  squeue -h -r -t all -j "$1" -o '%K=%T' | sort -n | tr '\n' ' '
}

submit() {
  sbatch --parsable --chdir="$work" --output="$work/log/slurm-%A_%a.out" "$@" \
    "$ROOT/scripts/slurm/sweep.sbatch" plan.json runs
}

job_over() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
wait_job() { wait_for "array job $1" 180 job_over "$1"; }

[ "$(id -u)" = 0 ] || die "make slurm-test needs root: slurmd runs jobs as their users, \
and the packages may need installing."
install_slurm
say "building the ayla binary"
cargo build --quiet --bin ayla
export AYLA="$ROOT/target/debug/ayla"

start=$SECONDS
start_munge
write_conf
start_slurm
say "one-node cluster up in $((SECONDS - start)) s: $(sinfo -h -o '%P %D %c %t')"

cd "$work"
"$AYLA" sweep plan --epochs 1 --n1 0.9,1 --n2 0.9,1 --seeds 2 --train 3000 --parallel 2 -o plan.json
tasks=$(sed -n 's/.*"tasks": \([0-9]*\).*/\1/p' plan.json)
[ "$tasks" = 10 ] || die "the plan has $tasks tasks, not 10"

start=$SECONDS
job=$(submit --array=0-9%2)
say "submitted array job $job (tasks 0-9, at most 2 at once)"
# Task 9 waits behind the throttle: cancel it while pending. Task 4: once it has printed
# its first line (the data is loaded, training starts), cancel it while it trains.
scancel "${job}_9"
wait_for "task 4 to start training" 120 grep -qs "^Task 4 of 10" "$work/log/slurm-${job}_4.out"
scancel "${job}_4"
wait_job "$job"
states=$(end_states "$job")
say "first submission done in $((SECONDS - start)) s: $states"
# A pending array element that is cancelled never starts, so it has no state of its own.
[[ " $states " != *" 9="* ]] || die "task 9 ran although it was cancelled while pending: $states"
missing=$("$AYLA" sweep status plan.json runs --array)
if [[ " $states " == *" 4=CANCELLED "* ]]; then
  [ "$missing" = "4,9" ] || die "missing tasks: '$missing', expected 4,9"
  ! grep -q "^Task 4 of 10 .* done" "$work/log/slurm-${job}_4.out" ||
    die "task 4 says it finished although it was cancelled"
  say "task 4 was killed while training and left no result"
else
  # The cancel reached task 4 after its last epoch: it finished, atomically.
  [ "$missing" = 9 ] || die "missing tasks: '$missing', expected 9"
  say "task 4 ended before the cancel reached it"
fi
[ -z "$(find runs -name '*.part')" ] || die "a killed task left a partial file: $(ls -a runs)"

start=$SECONDS
again=$(submit --array="$missing")
wait_job "$again"
say "resubmitted just tasks $missing as job $again: done in $((SECONDS - start)) s: $(end_states "$again")"
[ -z "$("$AYLA" sweep status plan.json runs --array)" ] || die "tasks still missing after the resubmission"
"$AYLA" sweep merge plan.json runs -o slurm-out

start=$SECONDS
"$AYLA" sweep run plan.json --local -j 2 --runs local-runs >/dev/null
say "the same plan with 'ayla sweep run --local -j 2': $((SECONDS - start)) s"
"$AYLA" sweep merge plan.json local-runs -o local-out >/dev/null

cmp slurm-out/mnist_sweep.csv local-out/mnist_sweep.csv
cmp slurm-out/mnist_sweep_heatmap.png local-out/mnist_sweep_heatmap.png
# The JSON has one field per line: drop the wall-clock "seconds" and compare the rest.
cmp <(grep -v '"seconds":' slurm-out/mnist_sweep.json) <(grep -v '"seconds":' local-out/mnist_sweep.json)
say "Slurm's merged exports equal the local run's (CSV, heat map PNG, JSON but seconds)"
