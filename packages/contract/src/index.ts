export * from './common';
export * from './users';
export * from './shifts';
export * from './access';
