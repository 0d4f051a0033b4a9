export * from './MeterSiemClient';
