/** What a command may do to the outside world; tests pass collectors. */
export interface Io {
  out: (text: string) => void
  err: (text: string) => void
  /** standard input as bytes, for a config given as `-`; reading may stop once more than `limit` bytes came */
  stdin: (limit?: number) => Promise<Uint8Array>
  /** standard input as a stream, for an archive given as `-` (never held whole) */
  stdinStream: () => AsyncIterable<Uint8Array>
  /** a path that reads standard input when it is a regular file (`< image.tar`), so it can be seeked */
  stdinFile?: () => string | undefined
  /** whether to colour the output (processIo: a terminal, NO_COLOR and FORCE_COLOR; see colourWanted) */
  colour: boolean
  /** whether standard input is a pipe or a file, i.e. someone may have meant it as the config */
  stdinHasData?: () => boolean
  /** awaited after each chunk of an output file is written (tests pause here to signal a write in progress) */
  afterWriteChunk?: () => Promise<void>
}
