/** Major → exact version of the Node runtimes the suites run on (e.g. { 22: "22.23.5", ... }). */
export declare const nodeRuntimes: Readonly<Record<number, string>>;
/** The absolute path of the `node` binary of a declared major; a MissingToolError when not installed. */
export declare function nodeBinary(major: number): string;
