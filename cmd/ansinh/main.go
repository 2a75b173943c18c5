package main

import (
	_ "github.com/FerretDB/FerretDB/ferretdb"
	_ "github.com/gofiber/fiber/v2"
	_ "github.com/gofiber/template/html/v2"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "go.mongodb.org/mongo-driver/v2/mongo"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/crypto/hkdf"
	_ "golang.org/x/text/unicode/norm"
)

func main() {}
