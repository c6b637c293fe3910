/// The page `muse studio` serves: plain HTML, CSS and JavaScript compiled into the binary (no
/// build step, nothing fetched from elsewhere). The files are `StudioPage+HTML.swift`,
/// `StudioPage+CSS.swift` and `StudioPage+JavaScript.swift`.
///
/// Deep links fill a panel and run it: `/?panel=continue&bundle=ID&primer=[60,-2,62]&go=1`
/// (also `temperature`, `length`, `count`, `seed`), which the browser test uses.
public enum StudioPage {}
