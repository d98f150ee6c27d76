// Package display shows data as QR codes: one symbol as an image or PNG, as
// Unicode half blocks on a terminal, and an endless UR animation drawn in
// place on a terminal (Player), or a finite one as an animated GIF or as a
// self-contained offline HTML page.
//
// A Preset says how much of a UR goes into one frame (Fragment), with which
// error correction (Level), how fast frames change (FPS) and how large
// images are (Module). Presets lists the named ones; Preset.With overrides
// fields for a manual setting.
//
// UR parts are upper case, so QR codes hold them in the alphanumeric mode:
// about 2 characters of a part per byte of message, 5.5 bits a character.
package display
