/// A profile's plan as independent jobs (`rnrepro plan`): a shell script that trains the runs
/// one after another, or a Slurm job array with one task per run.
///
/// The Slurm tasks survive the cluster's limits: five minutes (by default) before the time limit
/// Slurm sends USR1 to the task's batch shell, which stops the run with SIGTERM (it checkpoints
/// and exits) and puts the task back in the queue; when it runs again it resumes from that
/// checkpoint. A preemption (SIGTERM to every process of the job, then the requeue that
/// `--requeue` allows) checkpoints the same way. Either costs at most the steps since the last
/// checkpoint, and the run still ends with the bytes of an uninterrupted one.
public enum JobScript {
    public enum Format: String, CaseIterable, Sendable {
        case shell, slurm
    }

    /// - Parameters:
    ///   - runNames: the runs, by name (names do not depend on the data set's hash; ids do).
    ///   - timeLimit: each Slurm task's time limit, in Slurm's format ("12:00:00").
    ///   - warningSeconds: how long before the limit the task checkpoints and requeues itself.
    public static func make(_ format: Format, profile: Profile, runNames: [String], timeLimit: String = "12:00:00",
                            warningSeconds: Int = 300) -> String {
        let data = profile.dataset
        let prepare = "rnrepro generate --seed \(data.seed) --train \(data.trainImages) --test \(data.testImages) --out \(profile.datasetPath)"
        switch format {
        case .shell:
            return """
                #!/usr/bin/env bash
                # The \(profile.rawValue) plan: \(runNames.count) independent runs. Run from the repository root.
                set -euo pipefail
                [ -f \(profile.datasetPath) ] || \(prepare)
                \(runNames.map { "rnrepro reproduce --profile \(profile.rawValue) --only \($0)" }.joined(separator: "\n"))

                """
        case .slurm:
            return """
                #!/bin/bash
                # The \(profile.rawValue) plan as a Slurm job array: one task per run, \(runNames.count) in all.
                # Submit from the repository root after generating the data set once:
                #   \(prepare)
                # A task near its time limit checkpoints and requeues itself; a preempted one is
                # requeued by Slurm; either resumes from its checkpoint, ending with the same bytes.
                #SBATCH --job-name=rnrepro-\(profile.rawValue)
                #SBATCH --array=0-\(runNames.count - 1)
                #SBATCH --cpus-per-task=2
                #SBATCH --time=\(timeLimit)
                #SBATCH --requeue
                #SBATCH --signal=B:USR1@\(warningSeconds)
                #SBATCH --open-mode=append
                #SBATCH --output=runs/\(profile.rawValue)-%a.log
                set -uo pipefail
                RUNS=(\(runNames.joined(separator: " ")))
                TASK="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"

                # USR1, \(warningSeconds) s before the time limit: the run checkpoints on SIGTERM and
                # exits; the task goes back in the queue. The SIGTERM goes to the job's step through
                # scancel: sent to srun itself, srun would kill the step outright (SIGKILL).
                requeue() {
                    echo "rnrepro: task $TASK near its time limit: checkpointing and requeueing"
                    scancel --signal=TERM "$SLURM_JOB_ID"
                    wait "$STEP"
                    scontrol requeue "$TASK"
                    exit 0
                }
                trap requeue USR1

                srun rnrepro reproduce --profile \(profile.rawValue) --only "${RUNS[$SLURM_ARRAY_TASK_ID]}" --threads "${SLURM_CPUS_PER_TASK}" &
                STEP=$!
                wait "$STEP"

                """
        }
    }
}
