// The part of @npmcli/arborist (no bundled typings) that cli/runtimes/fetch.ts uses.
declare module '@npmcli/arborist' {
  interface ArboristOptions {
    path: string;
    cache?: string;
    registry?: string;
    ignoreScripts?: boolean;
    audit?: boolean;
    fund?: boolean;
  }
  class Arborist {
    constructor(options: ArboristOptions);
    reify(options?: { save?: boolean }): Promise<unknown>;
  }
  export = Arborist;
}
