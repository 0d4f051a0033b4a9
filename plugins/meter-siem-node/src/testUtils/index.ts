export * from './awsFaultProxy';
