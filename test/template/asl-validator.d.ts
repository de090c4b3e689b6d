// asl-validator ships no type declarations. It also MUTATES the definition it is given
// (it fills in QueryLanguage on every state): always pass it a structuredClone.
declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
    [key: string]: unknown;
  }
  interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText(separator?: string): string;
  }
  function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): AslValidationResult;
  export = aslValidator;
}
