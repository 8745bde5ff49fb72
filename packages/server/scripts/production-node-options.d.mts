export declare const dockerfile: string;
/** The flags of the Dockerfile's `ENV NODE_OPTIONS="..."`, e.g. ["--max-semi-space-size=4", ...]. */
export declare function productionNodeOptions(): string[];
