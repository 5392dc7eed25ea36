// What every importer produces before conversion: images as their source names them, with pixel
// boxes, each located in the source file (`a.xml:14`, `train.csv:7`, `instances.json: annotations[3]`).

export interface SourceBox {
  label: string;
  /** Pixel edges (continuous coordinates: 0 is the left edge of the first pixel). */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  at: string;
}

export interface SourceImage {
  /** The image name as the source gives it. */
  ref: string;
  /** Where the source names the image. */
  at: string;
  /** Directories to look for `ref` in, in order (absolute `ref` is used as is). */
  searchDirs: string[];
  /** Size the source states, if any, checked against the file. */
  declared?: { width: number; height: number; at: string };
  boxes: SourceBox[];
}

export interface SourceSet {
  images: SourceImage[];
  /** Located problems found while reading the source. */
  errors: string[];
  warnings: string[];
  /** Class names in the source's own order (COCO categories by id), if it has one. */
  classOrder?: string[];
}
