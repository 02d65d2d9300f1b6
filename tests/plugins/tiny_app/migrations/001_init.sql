CREATE TABLE tiny_things (name VARCHAR NOT NULL);
