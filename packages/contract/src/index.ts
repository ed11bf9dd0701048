export * from './common';
export * from './users';
export * from './shifts';
export * from './availability';
export * from './access';
