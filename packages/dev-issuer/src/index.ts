export * from './issuer';
export * from './sign-in';
