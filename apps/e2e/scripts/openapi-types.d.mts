/** test/gen/calculator-openapi.d.ts */
export declare const openapiTypesFile: string;
/** Writes openapiTypesFile from the published OpenAPI document; resolves with its path. */
export declare function generateOpenapiTypes(): Promise<string>;
