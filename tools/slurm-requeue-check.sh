#!/usr/bin/env bash
# slurm-requeue-check.sh: does a run of `rnrepro plan --format slurm` survive its time-limit
# warning? One task of the generated job array is submitted to a running single-node Slurm; once
# its run has written one evaluation, the warning is sent as Slurm sends it (USR1 to the batch
# shell only: `scancel --signal=USR1 --batch`, like `#SBATCH --signal=B:USR1@N`). Checked:
#   1. the task's log says the run checkpointed ("stopped by SIGTERM") and the task requeued itself;
#   2. `scontrol show job` shows Restarts>=1 and the task running again, then COMPLETED;
#   3. spec.json, metrics.jsonl and checkpoint.bin equal (cmp) those of the same run trained
#      without Slurm and without interruption (`rnrepro reproduce --only RUN --threads 1`);
#   4. segments.jsonl has one line per sitting (>= 2), contiguous from step 0, and manifest.json exists.
# With TIME_LIMIT_TEST=1 it then does the same with a real time limit (--time=2, warning 60 s,
# so every sitting ends by the warning) on a fresh run folder, and checks 1 (requeue), 3 and 4.
#
# Usage: tools/slurm-requeue-check.sh /path/to/rnrepro [RUN] [SBATCH_SCRIPT]
#   RUN defaults to rn-b64-lr1e-3-r1; PROFILE (env) defaults to quick; TIME_LIMIT_TEST=1 adds
#   the real time limit's path (about 35 minutes more).
#   SBATCH_SCRIPT: test this script instead of the one `rnrepro plan` prints (e.g. a fix).
#   WORK (env): working folder (default: a new /tmp/slurm-requeue-check.XXXXXX); it gets two
#   clones of this repository (slurm/, ref/) and bin/rnrepro. Nothing else is touched.
#   Exit 0 and "PASS" when every check holds, otherwise "FAIL: reason" and exit 1.
#
# Slurm setup it needs (tested with Debian 12's slurm-wlm 22.05.8 and munge, as root, no systemd):
#   apt-get install slurm-wlm munge
#   /etc/slurm/slurm.conf (H = `hostname -s`):
#     SlurmctldHost=H   SlurmUser=root   AuthType=auth/munge
#     StateSaveLocation=/var/spool/slurmctld   SlurmdSpoolDir=/var/spool/slurmd
#     SelectType=select/cons_tres   SelectTypeParameters=CR_Core
#     ProctrackType=proctrack/linuxproc   TaskPlugin=task/none
#     ReturnToService=2   JobRequeue=1   AccountingStorageType=accounting_storage/none
#     NodeName=H CPUs=2 RealMemory=4000 State=UNKNOWN
#     PartitionName=debug Nodes=H Default=YES MaxTime=INFINITE State=UP
#   mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge; chown munge: /run/munge
#   su -s /bin/sh munge -c /usr/sbin/munged; slurmctld; slurmd      # then `sinfo` shows the node idle
#   Stop: scontrol shutdown; kill "$(cat /run/munge/munged.pid)"
# Note: Slurm holds a requeued task about 2 minutes (Reason=BeginTime) before it runs again.
set -uo pipefail

BIN=${1:?usage: $0 /path/to/rnrepro [RUN] [SBATCH_SCRIPT]}
RUN=${2:-rn-b64-lr1e-3-r1}
ALT_SCRIPT=${3:-}
PROFILE=${PROFILE:-quick}
TIME_LIMIT_TEST=${TIME_LIMIT_TEST:-0}
REPO=$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel) || { echo "FAIL: $0 is not inside a git repository"; exit 1; }
WORK=${WORK:-$(mktemp -d /tmp/slurm-requeue-check.XXXXXX)}
T0=$(date +%s)
JOBS=()        # Slurm jobs this script submitted (cancelled on failure)
REF_PID=""     # the reference run, when it is still going
FAILS=()

log() { printf '[%4ds] %s\n' $(( $(date +%s) - T0 )) "$*"; }
cleanup() {
    for j in "${JOBS[@]}"; do scancel "$j" 2>/dev/null; done
    [ -n "$REF_PID" ] && kill "$REF_PID" 2>/dev/null
}
die() { echo "FAIL: $*"; cleanup; exit 1; }
check() { if eval "$2"; then log "ok: $1"; else log "NOT OK: $1"; FAILS+=("$1"); fi; }

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: polls COMMAND every 5 s; dies on timeout.
wait_for() {
    local what=$1 limit=$2 start; shift 2; start=$(date +%s)
    until "$@"; do
        (( $(date +%s) - start >= limit )) && die "timed out after ${limit}s waiting for $what"
        sleep 5
    done
    log "$what ($(( $(date +%s) - start ))s)"
}
field() { scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
state_is() { [ "$(field "$1" JobState)" = "$2" ]; }
restarts_at_least() { [ "$(field "$1" Restarts)" -ge "$2" ] 2>/dev/null; }
running_after_restart() { state_is "$1" RUNNING && restarts_at_least "$1" "$2"; }
ended() { local s; s=$(field "$1" JobState); [ -z "$s" ] || [[ "$s" =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)$ ]]; }
metrics_lines() { cat "$RUNDIR"/metrics.jsonl 2>/dev/null | wc -l; }
has_metrics() { RUNDIR=$(ls -d "$SLURM/runs/$PROFILE/$RUN"-* 2>/dev/null | head -n 1); [ -n "$RUNDIR" ] && [ "$(metrics_lines)" -ge 1 ]; }
log_has() { tr '\r' '\n' < "$1" 2>/dev/null | grep -q -- "$2"; }
ref_done() { ! kill -0 "$REF_PID" 2>/dev/null; }

# compare_and_inspect LABEL: cmp against the reference; segments.jsonl and manifest.json.
compare_and_inspect() {
    local label=$1 f segs
    RUNDIR=$(ls -d "$SLURM/runs/$PROFILE/$RUN"-* | head -n 1)
    for f in spec.json metrics.jsonl checkpoint.bin; do
        check "$label: $f identical to the uninterrupted run" "cmp '$RUNDIR/$f' '$REFDIR/$f'"
    done
    check "$label: manifest.json written" "[ -s '$RUNDIR/manifest.json' ]"
    segs=$(wc -l < "$RUNDIR/segments.jsonl" 2>/dev/null || echo 0)
    log "$label: segments.jsonl ($segs sittings):"; sed 's/^/    /' "$RUNDIR/segments.jsonl" 2>/dev/null
    check "$label: >= 2 sittings in segments.jsonl" "[ '$segs' -ge 2 ]"
    # Contiguous: from_step 0, each from_step = the previous to_step, last to_step = the reference's.
    local steps; steps=$(sed -E 's/.*"from_step":([0-9]+).*"to_step":([0-9]+).*/\1 \2/' "$RUNDIR/segments.jsonl")
    local reflast; reflast=$(sed -E 's/.*"to_step":([0-9]+).*/\1/' "$REFDIR/segments.jsonl" | tail -n 1)
    check "$label: sittings contiguous from step 0 to $reflast" \
        "echo '$steps' | awk -v last='$reflast' 'BEGIN{p=0; ok=1} {if (\$1!=p) ok=0; p=\$2} END{exit !(ok && p==last)}'"
}

# --- preflight ---------------------------------------------------------------------------------
[ -x "$BIN" ] || die "no executable rnrepro at $BIN"
sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)' || die "no Slurm node up (sinfo: $(sinfo -h 2>&1 | head -n 1))"
log "work folder $WORK; repository $REPO; run $RUN of the $PROFILE profile; $(sinfo --version)"
mkdir -p "$WORK/bin" && cp "$BIN" "$WORK/bin/rnrepro" || die "cannot copy $BIN"
export PATH="$WORK/bin:$PATH"
SLURM=$WORK/slurm; REF=$WORK/ref
for d in "$SLURM" "$REF"; do
    [ -e "$d" ] && die "$d exists already: give an empty WORK"
    git clone -q "$REPO" "$d" || die "git clone into $d failed"
done

# --- stage 3: data set, runs/, the job script --------------------------------------------------
cd "$SLURM" || die "cd $SLURM"
rnrepro plan --profile "$PROFILE" --format slurm --warning 60 > generated.sbatch || die "rnrepro plan failed"
SCRIPT=$SLURM/generated.sbatch
if [ -n "$ALT_SCRIPT" ]; then cp "$ALT_SCRIPT" "$SLURM/alt.sbatch" || die "no $ALT_SCRIPT"; SCRIPT=$SLURM/alt.sbatch; log "testing $ALT_SCRIPT instead of the generated script"; fi
GEN=$(sed -n 's/^#   \(rnrepro generate .*\)$/\1/p' "$SCRIPT" | head -n 1)
[ -n "$GEN" ] || die "the script names no 'rnrepro generate' command"
DATA=$(sed -E 's/.*--out ([^ ]+).*/\1/' <<< "$GEN")
timeout 600 $GEN > "$WORK/generate.log" 2>&1 || die "$GEN failed (see $WORK/generate.log)"
mkdir -p runs "$REF/$(dirname "$DATA")" && cp "$DATA" "$REF/$DATA"
log "stage 3: generated $DATA"
read -r -a NAMES <<< "$(sed -n 's/^RUNS=(\(.*\))$/\1/p' "$SCRIPT")"
IDX=""; for i in "${!NAMES[@]}"; do [ "${NAMES[$i]}" = "$RUN" ] && IDX=$i; done
[ -n "$IDX" ] || die "$RUN is not in the script's RUNS array (${NAMES[*]})"
LOG=$SLURM/runs/$PROFILE-$IDX.log

# --- stage 4: the uninterrupted reference, in the background -----------------------------------
( cd "$REF" && exec timeout "${REF_TIMEOUT:-3600}" rnrepro reproduce --profile "$PROFILE" --only "$RUN" --threads 1 ) > "$WORK/ref.log" 2>&1 &
REF_PID=$!
log "stage 4: reference run started (pid $REF_PID, log $WORK/ref.log)"

# --- stage 5: submit the task, warn it, watch the requeue --------------------------------------
submit() {  # submit EXTRA_SBATCH_OPTIONS...: sets TASK to the task's id
    local job
    job=$(cd "$SLURM" && timeout 60 sbatch --parsable --export=ALL --array="$IDX" --cpus-per-task=1 "$@" "$SCRIPT") || return 1
    job=${job%%;*}; JOBS+=("$job"); TASK=${job}_$IDX
}
submit || die "sbatch failed"
log "stage 5: submitted task $TASK (index $IDX)"
wait_for "task $TASK running" 600 state_is "$TASK" RUNNING
wait_for "first evaluation in metrics.jsonl" 1800 has_metrics
scancel --signal=USR1 --batch "$TASK" || die "scancel --signal=USR1 --batch $TASK failed"
log "sent USR1 to the batch shell of $TASK"
wait_for "requeue message in $LOG" 120 log_has "$LOG" "checkpointing and requeueing"
wait_for "task $TASK requeued (Restarts>=1)" 180 restarts_at_least "$TASK" 1
check "the log says the run checkpointed on SIGTERM ('stopped by SIGTERM')" "log_has '$LOG' 'stopped by SIGTERM'"
check "rnrepro not SIGKILLed by srun ('task 0: Killed' absent)" "! log_has '$LOG' 'task 0: Killed'"
log "segments.jsonl after the first sitting: $(cat "$RUNDIR/segments.jsonl" 2>/dev/null)"
wait_for "task $TASK running again after the requeue" 600 running_after_restart "$TASK" 1
log "scontrol: $(scontrol show job "$TASK" | grep -Eo '(JobState|Restarts)=[^ ]*' | tr '\n' ' ')"
wait_for "task $TASK ended" "${TASK_TIMEOUT:-3600}" ended "$TASK"
S=$(field "$TASK" JobState); log "task $TASK ended: JobState=${S:-gone} Restarts=$(field "$TASK" Restarts)"
check "task $TASK COMPLETED (or gone from the queue with the run finished)" "[ '${S:-COMPLETED}' = COMPLETED ]"
check "the log says the run finished" "log_has '$LOG' 'all 1 runs finished'"

# --- stage 6: compare with the reference --------------------------------------------------------
wait_for "the reference run" "${REF_TIMEOUT:-3600}" ref_done
wait "$REF_PID"; RC=$?; REF_PID=""
[ "$RC" -eq 0 ] || die "the reference run failed (exit $RC, see $WORK/ref.log)"
REFDIR=$(ls -d "$REF/runs/$PROFILE/$RUN"-* | head -n 1)
compare_and_inspect "USR1 requeue"

# --- optional: a real time limit ----------------------------------------------------------------
if [ "$TIME_LIMIT_TEST" = 1 ]; then
    rm -rf "${RUNDIR:?}"; mv "$LOG" "$LOG.usr1"
    submit --time=2 || die "sbatch --time=2 failed"
    log "time-limit path: submitted $TASK with --time=2 (warning 60 s)"
    wait_for "task $TASK ended" "${TASK_TIMEOUT:-5400}" ended "$TASK"
    S=$(field "$TASK" JobState); R=$(field "$TASK" Restarts); log "task $TASK ended: JobState=${S:-gone} Restarts=$R"
    check "time limit: requeued at least once (Restarts=$R)" "[ '${R:-0}' -ge 1 ]"
    check "time limit: COMPLETED, not TIMEOUT" "[ '${S:-COMPLETED}' = COMPLETED ]"
    check "time limit: every sitting checkpointed on SIGTERM" \
        "[ \$(tr '\r' '\n' < '$LOG' | grep -c 'stopped by SIGTERM') -ge '${R:-1}' ]"
    compare_and_inspect "time limit"
fi

JOBS=()
if [ ${#FAILS[@]} -eq 0 ]; then
    echo "PASS: $RUN requeued by its USR1 warning resumes to the uninterrupted bytes ($(( $(date +%s) - T0 )) s; work folder $WORK)"
    exit 0
fi
echo "FAIL: $(printf '%s; ' "${FAILS[@]}")(work folder $WORK)"
exit 1
