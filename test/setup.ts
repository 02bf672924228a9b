import { configurePropertySeed } from './helpers/propertySeed'

configurePropertySeed()
