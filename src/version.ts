/** The package version (package.json says the same; a test keeps them equal). */
export const VERSION = '0.1.0'
