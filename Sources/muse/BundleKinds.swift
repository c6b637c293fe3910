import MuseAudioModels
import MuseImage
import MuseModels
import MuseText
import MuseTraining

/// Every kind of model bundle this `muse` can load: one line per model family. Commands that take
/// `--bundle` ask this registry, so a new kind works everywhere its capabilities say.
let bundleRegistry = BundleRegistry([
    MelodyRNN.bundleKind,
    MusicVAE.bundleKind,
    MusicTransformer.bundleKind,
    SpectrogramVAE.bundleKind,
    GPT.bundleKind,
    CharRNN.bundleKind,
    SpectrogramSequenceVAE.bundleKind,
    DCGAN.bundleKind,
    ImageVAE.bundleKind,
    ImageClassifier.bundleKind,
    TextVAE.bundleKind,
])
