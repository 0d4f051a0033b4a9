export * from './awsFaultProxy';
export * from './motoServer';
export * from './meterStream';
