export * from './clients';
export * from './issuer';
export * from './sign-in';
