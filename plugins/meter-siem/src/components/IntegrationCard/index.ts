export { IntegrationCard } from './IntegrationCard';
