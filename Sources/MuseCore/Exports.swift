// MuseCore's users get MuseSupport's seeded generator, `.npy`, atomic writes and listings with it.
@_exported import MuseSupport
