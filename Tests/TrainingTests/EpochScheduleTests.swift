import Testing

@testable import Training

@Suite struct EpochScheduleTests {
    /// docs/spec.md section 4: batch 64 gives 3,062 steps and 195,968 questions per epoch.
    @Test func paperEpoch() {
        let schedule = EpochSchedule(trainImages: 9_800, batchSize: 64)
        #expect(schedule.questionsPerType == 98_000)
        #expect(schedule.batchesPerType == 1_531)
        #expect(schedule.steps == 3_062)
        #expect(schedule.steps * schedule.batchSize == 195_968)
        #expect(EpochSchedule(trainImages: 9_800, batchSize: 128).steps == 1_530)
    }
}
