// Command broken does not compile: Builder must report the compiler's words.
package main

func main() {
	undefinedFunction()
}
