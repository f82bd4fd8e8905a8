import Testing

@testable import Experiments

@Suite struct ProfileTests {
    @Test func paperAndQuickUseThePaperDataSet() {
        #expect(Profile.paper.dataset.trainImages == 9_800 && Profile.paper.dataset.testImages == 200)
        #expect(Profile.quick.datasetPath == "data/sort-of-clevr-seed1-9800-200.bin")
        #expect(Profile.smoke.datasetPath != Profile.quick.datasetPath)
    }
}
