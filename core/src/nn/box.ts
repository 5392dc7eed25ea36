// The decoded box types, in a module of their own so that code needing only them (NMS, the
// selection the detection webview shares with the CLI) does not pull in the decoder and the layer
// registry.

/** Centre/size box, relative to the image (0..1) after correction. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Detection {
  bbox: Box;
  objectness: number;
  /** prob[k] = objectness·class_k (0 when ≤ thresh). */
  prob: Float32Array;
  /** Head layer it came from. */
  layer: number;
}
